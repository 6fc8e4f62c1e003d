# Reference values for hccrt.stats.duration_of_response: per arm, RMST of PFS and of the time
# to first response-or-progression from print.survfit(rmean = tau); the variance of their
# difference from survfit's own infinitesimal-jackknife influence (influence = TRUE), and the
# PBIR curve S_PFS(t) - S_first(t) from summary.survfit(times =).
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
d <- read_data("dor")
tau <- 600
d$first_time <- ifelse(is.na(d$resp_time), d$pfs_time, d$resp_time)
d$first_status <- ifelse(is.na(d$resp_time), d$pfs_status, 1)
area_infl <- function(fit) {
  seg <- pmax(0, pmin(c(fit$time[-1], Inf), tau) - pmin(fit$time, tau))
  as.vector(fit$influence.surv %*% seg)
}
out <- list()
for (a in sort(unique(d$arm))) {
  s <- d[d$arm == a, ]
  fp <- survfit(Surv(pfs_time, pfs_status) ~ 1, data = s, influence = TRUE)
  ff <- survfit(Surv(first_time, first_status) ~ 1, data = s, influence = TRUE)
  rp <- summary(fp, rmean = tau)$table["rmean"]
  rf <- summary(ff, rmean = tau)$table["rmean"]
  phi <- area_infl(fp) - area_infl(ff)
  grid <- sort(unique(c(fp$time, ff$time)))
  pbir <- summary(fp, times = grid, extend = TRUE)$surv -
    summary(ff, times = grid, extend = TRUE)$surv
  out[[a]] <- list(rmst_pfs = unname(rp), rmst_first = unname(rf), rmdor = unname(rp - rf),
                   se = sqrt(sum(phi^2)), time = grid, pbir = pbir)
}
save_json(out, "dor")
