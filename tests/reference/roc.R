# Reference values for hccrt.stats.roc: pROC 1.18 roc(), ci.auc (DeLong), var(), coords()
# (all thresholds and the Youden best) and ci.coords of the Youden threshold (stratified
# bootstrap, 2000 replicates, set.seed(1); compared within Monte Carlo error only).
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=",
  commandArgs(FALSE), value = TRUE)))), "common.R"))
suppressPackageStartupMessages(library(pROC))
trial <- read_data("trial")
trial$neg_dose <- -trial$dose
trial$dose_int <- round(trial$dose / 25)  # many ties
cases <- list(list(id = "dose", x = "dose"), list(id = "neg_dose", x = "neg_dose"),
              list(id = "dose_int", x = "dose_int"))
out <- list()
for (cs in cases) {
  r <- roc(trial$response, trial[[cs$x]], quiet = TRUE)
  ci <- ci.auc(r, method = "delong")
  co <- coords(r, "all", ret = c("threshold", "sensitivity", "specificity"))
  best <- coords(r, "best", best.method = "youden",
                 ret = c("threshold", "sensitivity", "specificity"))
  res <- list(direction = r$direction, auc = as.numeric(r$auc), ci = as.vector(ci),
              se = sqrt(var(r)), threshold = co$threshold, sensitivity = co$sensitivity,
              specificity = co$specificity, best_threshold = best$threshold,
              best_sensitivity = best$sensitivity, best_specificity = best$specificity)
  if (cs$id == "dose") {
    set.seed(1)
    b <- ci.coords(r, x = "best", input = "threshold", ret = "threshold",
                   best.method = "youden", boot.n = 2000, best.policy = "random",
                   progress = "none")
    res$boot_ci <- as.vector(b$threshold)[c(1, 3)]
  }
  out[[cs$id]] <- res
}
save_json(out, "roc")
