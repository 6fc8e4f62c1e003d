# Independent reference values for hccrt.stats.design, computed with base R only
# (stats::pbinom, stats::qnorm, stats::integrate). Run from the repository root:
#   Rscript tests/reference/design/design_reference.R
# It writes tests/reference/design/design_reference.csv, which the test suite reads, so the
# tests run without R. Columns: case, key, value.
out <- data.frame(case = character(), key = character(), value = numeric(),
                  stringsAsFactors = FALSE)
add <- function(case, key, value) {
  out[nrow(out) + 1, ] <<- list(case, key, value)
}

# 1. Exact single-stage binomial design (A'Hern 2001): smallest n with some r such that
#    P(X > r | p0) <= alpha and P(X > r | p1) >= 1 - beta; r = smallest r meeting alpha.
single_stage <- function(p0, p1, alpha, beta, nmax = 500) {
  feasible <- logical(nmax); rr <- integer(nmax)
  for (n in 1:nmax) {
    r <- 0:n
    a <- pbinom(r, n, p0, lower.tail = FALSE)
    r_ok <- min(r[a <= alpha])
    rr[n] <- r_ok
    feasible[n] <- r_ok < n && pbinom(r_ok, n, p1, lower.tail = FALSE) >= 1 - beta
  }
  n <- which(feasible)[1]
  bad <- which(!feasible)
  list(n = n, r = rr[n],
       alpha = pbinom(rr[n], n, p0, lower.tail = FALSE),
       power = pbinom(rr[n], n, p1, lower.tail = FALSE),
       stable_n = max(bad) + 1)
}
for (s in list(c(0.2, 0.4, 0.05, 0.2), c(0.1, 0.3, 0.05, 0.2), c(0.05, 0.2, 0.05, 0.2),
               c(0.3, 0.5, 0.05, 0.1), c(0.2, 0.35, 0.05, 0.2))) {
  res <- single_stage(s[1], s[2], s[3], s[4])
  case <- sprintf("binomial_p0=%g_p1=%g_alpha=%g_beta=%g", s[1], s[2], s[3], s[4])
  for (k in names(res)) add(case, k, res[[k]])
}

# 2. Events for the log-rank test, allocation k:1 (experimental:control), two-sided alpha.
schoenfeld <- function(hr, alpha, power, k) {
  (qnorm(1 - alpha / 2) + qnorm(power))^2 * (1 + k)^2 / (k * log(hr)^2)
}
freedman <- function(hr, alpha, power, k) {
  (qnorm(1 - alpha / 2) + qnorm(power))^2 * (1 + k * hr)^2 / (k * (1 - hr)^2)
}
for (s in list(c(0.67, 0.05, 0.8, 1), c(0.67, 0.05, 0.8, 2), c(0.75, 0.05, 0.9, 1),
               c(0.5, 0.01, 0.9, 3), c(1.5, 0.05, 0.8, 0.5))) {
  case <- sprintf("events_hr=%g_alpha=%g_power=%g_k=%g", s[1], s[2], s[3], s[4])
  add(case, "schoenfeld", schoenfeld(s[1], s[2], s[3], s[4]))
  add(case, "freedman", freedman(s[1], s[2], s[3], s[4]))
}

# 3. Probability of an event under exponential survival (hazard lam), uniform accrual over
#    [0, A], analysis at A + F, exponential drop-out (hazard eta): numerical integration of
#    the cause-specific cumulative incidence over the uniform follow-up distribution.
p_event <- function(lam, A, F, eta = 0) {
  cif <- function(t) lam / (lam + eta) * (1 - exp(-(lam + eta) * t))
  integrate(cif, F, A + F, rel.tol = 1e-12)$value / A
}
for (s in list(c(log(2) / 12, 24, 24, 0), c(0.67 * log(2) / 12, 24, 24, 0),
               c(log(2) / 12, 24, 12, 0), c(log(2) / 15, 18, 6, 0.01))) {
  case <- sprintf("pevent_lam=%.6f_A=%g_F=%g_eta=%g", s[1], s[2], s[3], s[4])
  add(case, "exact", p_event(s[1], s[2], s[3], s[4]))
  # Schoenfeld (1983) Simpson-rule approximation (drop-out ignored)
  S <- function(t) exp(-s[1] * t)
  add(case, "simpson", 1 - (S(s[3]) + 4 * S(s[3] + s[2] / 2) + S(s[2] + s[3])) / 6)
}

write.csv(out, "tests/reference/design/design_reference.csv", row.names = FALSE)
cat(R.version.string, "\n")
