# Export R's own survival::lung and survival::aml so Python tests use the identical rows.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
l <- lung; l$status <- l$status - 1
write.csv(l, file.path(here, "data", "lung.csv"), row.names = FALSE)
a <- aml; a$x <- as.character(a$x)
write.csv(a, file.path(here, "data", "aml.csv"), row.names = FALSE)
