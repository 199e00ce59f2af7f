#!/usr/bin/env bash
# Mutation check for the security-relevant code: plants each deliberate bug listed in
# scripts/mutations.txt, one at a time, in a scratch copy of the tree, rebuilds, runs the tests
# and reports every mutant that no test caught. Run it by hand before security changes land;
# it is not part of CI (each mutant is a rebuild plus a test run).
#
#   scripts/mutate.sh [--list] [--only ID[,ID...]] [--filter REGEX | --gtest-filter PATTERN]
#
#   --list           print the mutations and whether each still applies, then exit
#   --only IDS       run only these mutations (comma-separated ids)
#   --filter REGEX   run only the ctest entries matching REGEX (ctest -R); default: every entry
#                    but http_postgres (the unit test cases, `store` and `http`)
#   --gtest-filter P run unit_tests, store_tests and http_tests directly with --gtest_filter=P
#                    instead of ctest (the store and http entries are one ctest entry each, so
#                    this is the way to run a few of their cases)
#
# The scratch copy is $MUTATE_DIR (default build-mutate/ in the repository, git-ignored): the
# tracked and untracked-but-not-ignored files of the working tree, so uncommitted changes are
# tested too. The real tree is only read. The copy and its build directory are reused between
# runs and between mutants, and with ccache a mutant rebuilds only what its file touches.
#
# A mutant is "caught" if any selected test fails, "survived" if all pass. Mutations marked
# `known:` are expected to survive (the reason is printed); they do not fail the run. Exit
# status: 0 if every other mutant was caught, 1 if one survived, did not build, or no longer
# matches its file ("stale": the old text must occur exactly once), 2 for usage errors.
#
# mutations.txt: blocks separated by blank lines, `#` starts a comment line:
#   id:    short-name
#   desc:  one line saying what the planted bug is
#   file:  path/from/repo/root
#   old:   exact text, one line, must occur exactly once in the file
#   new:   its replacement (file, old, new in this order; they may repeat for more edits)
#   known: optional; why no test can catch it
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: `&` in a replacement is literal

repo="$(cd "$(dirname "$0")/.." && pwd)"
mutations_file="$repo/scripts/mutations.txt"
work="${MUTATE_DIR:-$repo/build-mutate}"
tree="$work/tree"
# build/ inside the copy, like build/ in the repository: with CCACHE_BASEDIR the relative
# paths then match the main build's and ccache can reuse its objects.
build="$tree/build"
logs="$work/logs"
jobs="${MUTATE_BUILD_JOBS:-2}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$repo")}" CCACHE_NOHASHDIR=1

list_only=0
only=""
ctest_filter=""
gtest_filter=""
while (($#)); do
  case "$1" in
    --list) list_only=1 ;;
    --only) only="${2:?--only needs ids}"; shift ;;
    --filter) ctest_filter="${2:?--filter needs a regex}"; shift ;;
    --gtest-filter) gtest_filter="${2:?--gtest-filter needs a pattern}"; shift ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "mutate.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# ---- reading mutations.txt into parallel arrays; edits are "file<TAB>old<TAB>new" lines
ids=() descs=() knowns=() edits=()
add_block() {
  [ -n "$cur_id" ] || return 0
  ids+=("$cur_id") descs+=("$cur_desc") knowns+=("$cur_known") edits+=("$cur_edits")
}
cur_id="" cur_desc="" cur_known="" cur_edits="" cur_file="" cur_old=""
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    '#'*) continue ;;
    '')
      add_block
      cur_id="" cur_desc="" cur_known="" cur_edits="" cur_file="" cur_old=""
      continue
      ;;
  esac
  key="${line%%:*}"
  value="${line#*:}"
  value="${value#"${value%%[![:space:]]*}"}"  # the spaces that align the values
  case "$key" in
    id) cur_id="$value" ;;
    desc) cur_desc="$value" ;;
    known) cur_known="$value" ;;
    file) cur_file="$value" ;;
    old) cur_old="$value" ;;
    new) cur_edits+="$cur_file"$'\t'"$cur_old"$'\t'"$value"$'\n' ;;
    *) echo "mutations.txt: unknown key in: $line" >&2; exit 2 ;;
  esac
done <"$mutations_file"
add_block

selected() {
  [ -z "$only" ] && return 0
  [[ ",$only," == *",$1,"* ]]
}

# How often `old` occurs in `file` (under directory $1).
occurrences() {
  local root="$1" file="$2" old="$3"
  [ -f "$root/$file" ] || { echo 0; return; }
  grep -oF -- "$old" "$root/$file" | wc -l
}

# "" if every edit of mutation $2 matches exactly once under $1, else why not.
stale_reason() {
  local root="$1" list="$2" file old new n
  while IFS=$'\t' read -r file old new; do
    [ -n "$file" ] || continue
    n=$(occurrences "$root" "$file" "$old")
    if [ "$n" != 1 ]; then
      echo "$file: old text occurs $n times: $old"
      return
    fi
  done <<<"$list"
}

if ((list_only)); then
  for i in "${!ids[@]}"; do
    selected "${ids[$i]}" || continue
    why=$(stale_reason "$repo" "${edits[$i]}")
    printf '%-34s %s\n' "${ids[$i]}" "${descs[$i]}"
    [ -n "${knowns[$i]}" ] && printf '%-34s known survivor: %s\n' "" "${knowns[$i]}"
    [ -n "$why" ] && printf '%-34s STALE: %s\n' "" "$why"
  done
  exit 0
fi

# ---- the scratch copy: files whose content changed are copied (with a fresh mtime, so the
# build sees them), files gone from the tree are removed from the copy
sync_tree() {
  mkdir -p "$tree"
  local list="$work/files.txt"
  (cd "$repo" && git ls-files --cached --others --exclude-standard | sort -u) >"$list"
  local f
  while IFS= read -r f; do
    [ -f "$repo/$f" ] || continue
    if ! cmp -s "$repo/$f" "$tree/$f"; then
      mkdir -p "$(dirname "$tree/$f")"
      cp "$repo/$f" "$tree/$f"
    fi
    # Keep the executable bit (scripts and bench/run are run by path).
    if [ -x "$repo/$f" ]; then chmod +x "$tree/$f"; fi
  done <"$list"
  (cd "$tree" && find . -type f -not -path './build/*' | sed 's|^\./||' | sort) |
    comm -13 "$list" - | while IFS= read -r f; do rm -f "$tree/$f"; done
}

build_targets=(unit_tests web_tests store_tests http_tests latchkey)
build_tree() {
  cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCHKEY_WERROR=ON \
    -DLATCHKEY_BUILD_BENCH=OFF >/dev/null &&
    cmake --build "$build" -j "$jobs" --target "${build_targets[@]}"
}

run_tests() {
  if [ -n "$gtest_filter" ]; then
    local bin status=0
    for bin in unit_tests store_tests http_tests; do
      "$build/tests/$bin" --gtest_filter="$gtest_filter" --gtest_brief=1 || status=1
    done
    return $status
  fi
  local select=(-E '^http_postgres$')
  [ -n "$ctest_filter" ] && select=(-R "$ctest_filter")
  ctest --test-dir "$build" -j "$jobs" --timeout 300 --output-on-failure "${select[@]}"
}

# Rewrites `old` to `new` in the copy; the pristine file comes back from the repository.
apply_edits() {
  local list="$1" file old new content
  while IFS=$'\t' read -r file old new; do
    [ -n "$file" ] || continue
    content="$(<"$tree/$file")"
    printf '%s\n' "${content/"$old"/"$new"}" >"$tree/$file"
  done <<<"$list"
}
restore_edits() {
  local list="$1" file old new
  while IFS=$'\t' read -r file old new; do
    [ -n "$file" ] || continue
    cp "$repo/$file" "$tree/$file"  # a fresh mtime, so the next build recompiles it
  done <<<"$list"
}

mkdir -p "$logs"
echo "== syncing $tree"
sync_tree
echo "== baseline: the unmutated tree must build and pass (log: $logs/baseline.log)"
if ! { build_tree && run_tests; } >"$logs/baseline.log" 2>&1; then
  tail -n 40 "$logs/baseline.log"
  echo "mutate.sh: the unmutated tree fails; fix that first" >&2
  exit 1
fi

results=()
bad=0
for i in "${!ids[@]}"; do
  id="${ids[$i]}"
  selected "$id" || continue
  log="$logs/$id.log"
  why=$(stale_reason "$tree" "${edits[$i]}")
  if [ -n "$why" ]; then
    results+=("STALE     $id: $why")
    bad=1
    continue
  fi
  echo "== $id: ${descs[$i]}"
  apply_edits "${edits[$i]}"
  verdict=""
  if ! build_tree >"$log" 2>&1; then
    verdict="BROKEN    $id: does not build (see $log)"
    bad=1
  elif run_tests >>"$log" 2>&1; then
    if [ -n "${knowns[$i]}" ]; then
      verdict="survived  $id (known: ${knowns[$i]})"
    else
      verdict="SURVIVED  $id: ${descs[$i]} (see $log)"
      bad=1
    fi
  else
    verdict="caught    $id"
    [ -n "${knowns[$i]}" ] && verdict+=" (listed as a known survivor: update mutations.txt)"
  fi
  restore_edits "${edits[$i]}"
  echo "   $verdict"
  results+=("$verdict")
done

echo "== mutation summary"
printf '  %s\n' "${results[@]}"
exit $bad
