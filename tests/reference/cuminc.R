# Reference values for hccrt.stats.cumulative_incidence: cmprsk::cuminc curves (estimate and
# variance at each jump of each cause), timepoints(), and Gray's test.
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
suppressPackageStartupMessages(library(cmprsk))
trial <- read_data("trial")
cases <- list(
  list(id = "arm", group = "arm", strata = NULL, rho = 0),
  list(id = "stratum", group = "stratum", strata = NULL, rho = 0),
  list(id = "arm_by_stratum", group = "arm", strata = "stratum", rho = 0),
  list(id = "arm_rho1", group = "arm", strata = NULL, rho = 1),
  list(id = "overall", group = NULL, strata = NULL, rho = 0))
times <- c(100, 365, 700, 2000)
out <- list()
for (cs in cases) {
  args <- list(trial$time, trial$cause, rho = cs$rho)
  if (!is.null(cs$group)) args$group <- trial[[cs$group]]
  if (!is.null(cs$strata)) args$strata <- trial[[cs$strata]]
  r <- do.call(cuminc, args)
  curves <- list()
  for (nm in setdiff(names(r), "Tests")) {
    x <- r[[nm]]
    keep <- seq(3, length(x$time) - 1, by = 2)  # the jump points of the step function
    curves[[nm]] <- list(time = x$time[keep], est = x$est[keep], var = x$var[keep])
  }
  tp <- timepoints(r, times)
  res <- list(curves = curves, tp_est = as.vector(t(tp$est)), tp_var = as.vector(t(tp$var)),
              tp_names = rownames(tp$est))
  if (!is.null(r$Tests)) res$tests <- list(stat = unname(r$Tests[, "stat"]),
                                          p = unname(r$Tests[, "pv"]))
  out[[cs$id]] <- res
}
save_json(out, "cuminc")
