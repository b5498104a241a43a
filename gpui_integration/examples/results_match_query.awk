# Checks a SearchBox front end's output (search_box_io.h's ResultsLine format,
# `<prefix> "<query>": <word> ...`): every word shown must start with the query
# it is shown for. Prints each offending line; exits 1 if there is any.
#   awk -f results_match_query.awk OUTPUT
/results for "|^drawn "/ {
  q = $0; sub(/^[^"]*"/, "", q); sub(/".*$/, "", q)
  rest = $0; sub(/^[^:]*: ?/, "", rest)
  n = split(rest, words, " ")
  for (i = 1; i <= n; i++) if (index(words[i], q) != 1) { print "bad: " $0; bad = 1 }
}
END { exit bad }
