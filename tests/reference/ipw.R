# Reference values for hccrt.stats.ipw: glm(binomial) propensity model, ATE / stabilized ATE /
# ATT weights, standardized mean differences (Austin & Stuart 2015: weighted means, cov.wt
# "unbiased" variances, p(1-p) for binary covariates), then the IPW-weighted survfit (robust
# variance) and coxph (robust sandwich) as used for the non-randomized comparison.
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
lung2 <- read_data("lung")
d <- lung2[complete.cases(lung2[, c("time", "status", "sex", "age", "ph.ecog", "wt.loss")]), ]
d$female <- as.integer(d$sex == 2)
d$ecog01 <- as.integer(d$ph.ecog <= 1)
covs <- c("age", "ecog01", "wt.loss")
fit <- glm(female ~ age + ecog01 + wt.loss, data = d, family = binomial,
           control = glm.control(epsilon = 1e-14, maxit = 100))
ps <- fitted(fit)
t <- d$female
w_ate <- t / ps + (1 - t) / (1 - ps)
w_sate <- w_ate * ifelse(t == 1, mean(t), 1 - mean(t))
w_att <- t + (1 - t) * ps / (1 - ps)
smd <- function(x, t, w) {
  bin <- all(x %in% c(0, 1))
  st <- function(xx, ww) {
    m <- sum(ww * xx) / sum(ww)
    v <- if (bin) m * (1 - m) else cov.wt(matrix(xx), wt = ww, method = "unbiased")$cov[1, 1]
    c(m, v)
  }
  a <- st(x[t == 1], w[t == 1]); b <- st(x[t == 0], w[t == 0])
  (a[1] - b[1]) / sqrt((a[2] + b[2]) / 2)
}
bal <- function(w) sapply(covs, function(v) smd(d[[v]], t, w))
km <- survfit(Surv(time, status) ~ female, data = d, weights = w_ate, conf.type = "log-log")
q <- quantile(km, probs = 0.5)
cx <- coxph(Surv(time, status) ~ female, data = d, weights = w_ate)
out <- list(coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))), ps = unname(ps),
            w_ate = unname(w_ate), w_sate = unname(w_sate), w_att = unname(w_att),
            smd_unweighted = unname(bal(rep(1, nrow(d)))), smd_ate = unname(bal(w_ate)),
            smd_att = unname(bal(w_att)),
            km_surv = km$surv, km_std_err = km$std.err, km_lower = km$lower,
            km_upper = km$upper, km_median = as.vector(q$quantile),
            km_median_lower = as.vector(q$lower), km_median_upper = as.vector(q$upper),
            cox_coef = unname(coef(cx)), cox_robust_se = unname(sqrt(diag(cx$var))),
            cox_naive_se = unname(sqrt(diag(cx$naive.var))))
save_json(out, "ipw")
