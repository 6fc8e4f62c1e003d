# Reference values for hccrt.stats.cox_ph: coxph coefficients, variances (naive and robust),
# log-likelihoods and LR / Wald / score (/ robust score) tests. R is run with eps = 1e-14
# (default 1e-9 stops when the log-likelihood changes by < 1e-9 relative, which can leave the
# coefficients ~1e-6 from the maximum); hccrt iterates to full convergence.
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
lung2 <- read_data("lung"); trial <- read_data("trial"); aml2 <- read_data("aml")
trial$sirt <- as.integer(trial$arm == "SIRT")
trial$iw <- round(trial$weight * 2)
aml2$maint <- as.integer(aml2$x == "Maintained")
cases <- list(
  list(id = "lung_efron", data = "lung", x = c("age", "sex"), ties = "efron"),
  list(id = "lung_breslow", data = "lung", x = c("age", "sex"), ties = "breslow"),
  list(id = "lung_strata_sex", data = "lung", x = c("age", "ph.ecog"), strata = "sex",
       ties = "efron"),
  list(id = "trial_efron", data = "trial", x = c("sirt", "x1", "x2", "age"), ties = "efron"),
  list(id = "trial_breslow", data = "trial", x = c("sirt", "x1", "x2", "age"), ties = "breslow"),
  list(id = "trial_w_efron", data = "trial", x = c("sirt", "x1", "age"), ties = "efron",
       w = "weight"),
  list(id = "trial_w_strata_breslow", data = "trial", x = c("sirt", "x1"), ties = "breslow",
       w = "weight", strata = "stratum"),
  list(id = "trial_intw_efron", data = "trial", x = c("sirt", "x2"), ties = "efron", w = "iw"),
  list(id = "aml_efron", data = "aml", x = c("maint"), ties = "efron"))
dsets <- list(lung = lung2, trial = trial, aml = aml2)
out <- list()
for (cs in cases) {
  d <- dsets[[cs$data]]
  d <- d[complete.cases(d[, c("time", "status", cs$x, cs$strata)]), ]
  rhs <- paste(cs$x, collapse = " + ")
  if (!is.null(cs$strata)) rhs <- paste(rhs, "+ strata(", cs$strata, ")")
  f <- as.formula(paste("Surv(time, status) ~", rhs))
  ctl <- coxph.control(eps = 1e-14, iter.max = 100)
  fit <- if (is.null(cs$w)) coxph(f, data = d, ties = cs$ties, control = ctl) else
    coxph(f, data = d, ties = cs$ties, weights = d[[cs$w]], control = ctl)
  s <- summary(fit)
  out[[cs$id]] <- list(
    coef = unname(coef(fit)), var = as.vector(fit$var),
    naive_var = if (is.null(fit$naive.var)) as.vector(fit$var) else as.vector(fit$naive.var),
    robust = !is.null(fit$naive.var), loglik = fit$loglik, lr = unname(s$logtest["test"]),
    wald = unname(fit$wald.test), score = unname(fit$score),
    robust_score = if (is.null(fit$rscore)) NA else fit$rscore,
    hr_lower = unname(s$conf.int[, "lower .95"]), hr_upper = unname(s$conf.int[, "upper .95"]),
    p = unname(s$coefficients[, ncol(s$coefficients)]), n = fit$n, nevent = fit$nevent)
}
save_json(out, "cox")
