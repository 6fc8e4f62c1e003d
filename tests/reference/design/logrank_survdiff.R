# Log-rank chi-square of every trial in logrank_trials.csv by R survival::survdiff (rho = 0),
# the reference for hccrt.stats.power_simulation.batched_logrank. Run from the repository root:
#   Rscript tests/reference/design/logrank_survdiff.R
library(survival)
d <- read.csv("tests/reference/design/logrank_trials.csv")
trials <- unique(d$trial)
chisq <- sapply(trials, function(k) {
  x <- d[d$trial == k, ]
  survdiff(Surv(time, event) ~ group, data = x)$chisq
})
out <- data.frame(trial = trials, chisq = sprintf("%.17g", chisq))
write.csv(out, "tests/reference/design/logrank_survdiff.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "survival", as.character(packageVersion("survival")), "\n")
