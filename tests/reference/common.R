# Shared helpers for the R reference scripts (run from the repository root or anywhere:
# paths are relative to this directory, found from the script's own location).
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
outdir <- if (nzchar(Sys.getenv("HCCRT_R_OUT"))) Sys.getenv("HCCRT_R_OUT") else here
read_data <- function(name) read.csv(file.path(here, "data", paste0(name, ".csv")))
save_json <- function(x, name) {
  x$generated_by <- paste("R", R.version$major, R.version$minor, "survival",
                          as.character(packageVersion("survival")))
  writeLines(toJSON(x, digits = NA, na = "string", auto_unbox = TRUE, pretty = FALSE),
             file.path(outdir, paste0(name, ".json")))
}
