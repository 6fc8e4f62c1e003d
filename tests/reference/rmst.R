# Reference values for hccrt.stats.rmst: R print.survfit(rmean = tau) (survival:::survmean),
# i.e. summary(fit, rmean = tau)$table, per group; contrasts with survRM2::rmst2's formulas
# (survRM2 itself is not packaged for Debian; its published pbc vignette values are also tested).
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
dsets <- list(lung = read_data("lung"), trial = read_data("trial"), pbc = read_data("pbc"))
cases <- list(
  list(id = "lung_sex", data = "lung", group = "sex", tau = 965, w = NULL),
  list(id = "lung_ecog", data = "lung", group = "ph.ecog", tau = 730, w = NULL),
  list(id = "lung_all", data = "lung", group = NULL, tau = 500.5, w = NULL),
  list(id = "trial_arm", data = "trial", group = "arm", tau = 700, w = NULL),
  list(id = "trial_arm_w", data = "trial", group = "arm", tau = 700, w = "weight"),
  list(id = "pbc_arm", data = "pbc", group = "arm", tau = 10, w = NULL))
out <- list()
z <- qnorm(0.975)
for (cs in cases) {
  d <- dsets[[cs$data]]
  if (!is.null(cs$group)) d <- d[!is.na(d[[cs$group]]), ]
  if (cs$id == "lung_ecog") d <- d[d$ph.ecog < 3, ]
  f <- as.formula(paste("Surv(time, status) ~", if (is.null(cs$group)) "1" else cs$group))
  fit <- if (is.null(cs$w)) survfit(f, data = d) else survfit(f, data = d, weights = d[[cs$w]])
  tab <- summary(fit, rmean = cs$tau)$table
  if (!is.matrix(tab)) tab <- t(as.matrix(tab))
  m <- tab[, "rmean"]; s <- tab[, "se(rmean)"]
  res <- list(rmst = as.vector(m), se = as.vector(s))
  if (length(m) > 1) {  # survRM2 rmst2 formulas, second group vs first
    dd <- m[-1] - m[1]; sd <- sqrt(s[-1]^2 + s[1]^2)
    lr <- log(m[-1] / m[1]); sr <- sqrt((s[-1] / m[-1])^2 + (s[1] / m[1])^2)
    l1 <- cs$tau - m[-1]; l0 <- cs$tau - m[1]
    ll <- log(l1 / l0); sl <- sqrt((s[-1] / l1)^2 + (s[1] / l0)^2)
    res$diff <- as.vector(c(dd, dd - z * sd, dd + z * sd, 2 * pnorm(-abs(dd / sd))))
    res$ratio <- as.vector(exp(c(lr, lr - z * sr, lr + z * sr)))
    res$rmtl_ratio <- as.vector(exp(c(ll, ll - z * sl, ll + z * sl)))
  }
  out[[cs$id]] <- res
}
save_json(out, "rmst")
