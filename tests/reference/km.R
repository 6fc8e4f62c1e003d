# Reference values for hccrt.stats.kaplan_meier: survfit tables, quantile.survfit (Brookmeyer-
# Crowley) and summary.survfit(times=) for each conf.type, unweighted and case-weighted.
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
lung2 <- read_data("lung"); trial <- read_data("trial")
toy <- data.frame(time = c(9, 1, 1, 6, 6, 8, 10), status = c(1, 1, 0, 1, 1, 0, 0))
flat <- data.frame(time = 1:20, status = 1)
cases <- list(
  list(id = "lung_all", data = "lung", group = NULL, weights = NULL),
  list(id = "lung_sex", data = "lung", group = "sex", weights = NULL),
  list(id = "lung_ecog", data = "lung", group = "ph.ecog", weights = NULL),
  list(id = "trial_arm", data = "trial", group = "arm", weights = NULL),
  list(id = "trial_arm_w", data = "trial", group = "arm", weights = "weight"),
  list(id = "toy", data = "toy", group = NULL, weights = NULL),
  list(id = "flat", data = "flat", group = NULL, weights = NULL))
dsets <- list(lung = lung2, trial = trial, toy = toy, flat = flat)
times <- c(0.5, 30, 180, 365, 730, 1000)
out <- list()
for (cs in cases) for (ct in c("log-log", "log", "plain")) {
  d <- dsets[[cs$data]]
  if (!is.null(cs$group)) d <- d[!is.na(d[[cs$group]]), ]
  f <- as.formula(paste("Surv(time, status) ~", if (is.null(cs$group)) "1" else cs$group))
  fit <- if (is.null(cs$weights)) survfit(f, data = d, conf.type = ct) else
    survfit(f, data = d, conf.type = ct, weights = d[[cs$weights]])
  strata <- if (is.null(fit$strata)) rep("", length(fit$time)) else
    rep(sub(".*=", "", names(fit$strata)), fit$strata)
  q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
  s <- summary(fit, times = times)
  sstrata <- if (is.null(s$strata)) rep("", length(s$time)) else sub(".*=", "", as.character(s$strata))
  out[[paste(cs$id, ct, sep = "|")]] <- list(
    table = list(strata = strata, time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
                 n_censor = fit$n.censor, surv = fit$surv, std_err = fit$std.err,
                 logse = fit$logse,
                 lower = fit$lower, upper = fit$upper),
    quantile = list(strata = if (is.matrix(q$quantile)) rownames(q$quantile) else "",
                    quantile = as.vector(t(q$quantile)), lower = as.vector(t(q$lower)),
                    upper = as.vector(t(q$upper))),
    landmark = list(strata = sstrata, time = s$time, n_risk = s$n.risk, surv = s$surv,
                    std_err = s$std.err, lower = s$lower, upper = s$upper))
}
save_json(out, "km")
