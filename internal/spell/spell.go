package spell

import "strings"

// Closest returns the candidate nearest to word, compared without case, when
// it is near enough to be a misspelling (at most one edit in three
// characters, and at least one); "" otherwise. Ties go to the earlier
// candidate.
func Closest(word string, candidates []string) string {
	best, bestD := "", -1
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := distance(lw, strings.ToLower(c))
		if d <= max(1, len([]rune(word))/3) && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// Suffix returns "; did you mean X?" for the candidate Closest finds, and ""
// when there is none.
func Suffix(word string, candidates []string) string {
	if c := Closest(word, candidates); c != "" {
		return "; did you mean " + c + "?"
	}
	return ""
}

// distance is the Levenshtein distance between a and b, counting an
// adjacent transposition as one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
