# Reference values for hccrt.stats.logrank: survdiff (log-rank, G-rho, stratified).
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
lung2 <- read_data("lung"); trial <- read_data("trial")
cases <- list(
  list(id = "lung_sex", data = "lung", group = "sex", strata = NULL, rho = 0),
  list(id = "lung_ecog", data = "lung", group = "ph.ecog", strata = NULL, rho = 0),
  list(id = "lung_karno_inst", data = "lung", group = "pat.karno", strata = "inst", rho = 0),
  list(id = "lung_inst_rho05", data = "lung", group = "inst", strata = NULL, rho = 0.5),
  list(id = "trial_arm", data = "trial", group = "arm", strata = NULL, rho = 0),
  list(id = "trial_arm_strat", data = "trial", group = "arm", strata = "stratum", rho = 0),
  list(id = "trial_stratum_by_arm", data = "trial", group = "stratum", strata = "arm", rho = 0),
  list(id = "trial_arm_rho1_strat", data = "trial", group = "arm", strata = "stratum", rho = 1))
dsets <- list(lung = lung2, trial = trial)
out <- list()
for (cs in cases) {
  d <- dsets[[cs$data]]
  d <- d[complete.cases(d[, c("time", "status", cs$group, cs$strata)]), ]
  rhs <- cs$group
  if (!is.null(cs$strata)) rhs <- paste(rhs, "+ strata(", cs$strata, ")")
  f <- survdiff(as.formula(paste("Surv(time, status) ~", rhs)), data = d, rho = cs$rho)
  obs <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  ex <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  out[[cs$id]] <- list(n = as.vector(f$n), observed = as.vector(obs), expected = as.vector(ex),
                       var = as.vector(f$var), chisq = f$chisq,
                       df = length(f$n) - 1, p = pchisq(f$chisq, sum(ex > 0) - 1, lower.tail = FALSE))
}
save_json(out, "logrank")
