# Export the 312 randomised pbc patients as in the survRM2 vignette (time in years, death = event,
# arm = trt == 1) for the RMST tests.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
d <- pbc[1:312, ]
out <- data.frame(time = d$time / 365.25, status = as.integer(d$status == 2),
                  arm = as.integer(d$trt == 1))
write.csv(out, file.path(here, "data", "pbc.csv"), row.names = FALSE)
