# Reference values for hccrt.stats.clopper_pearson / wilson: binom.test and
# prop.test(correct = FALSE) for a grid of (x, n, conf.level), p0 = 0.2.
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
grid <- expand.grid(x = c(0, 1, 7, 12, 20), n = c(20, 43), conf = c(0.9, 0.95))
grid <- grid[grid$x <= grid$n, ]
cp <- t(mapply(function(x, n, conf) {
  b <- binom.test(x, n, p = 0.2, conf.level = conf); c(b$conf.int, b$p.value)
}, grid$x, grid$n, grid$conf))
wi <- t(mapply(function(x, n, conf) {
  p <- suppressWarnings(prop.test(x, n, p = 0.2, conf.level = conf, correct = FALSE))
  c(p$conf.int, p$p.value)
}, grid$x, grid$n, grid$conf))
save_json(list(x = grid$x, n = grid$n, conf = grid$conf,
               cp_lower = cp[, 1], cp_upper = cp[, 2], cp_p = cp[, 3],
               wilson_lower = wi[, 1], wilson_upper = wi[, 2], wilson_p = wi[, 3]), "binom")
