#!/bin/sh
# Copies examples/github-action/ferry-token.sh into the GitLab template, as the body of the shell
# function ferry_token in the hidden job's before_script. Run it from the repository root after
# changing the script; Ferry's tests fail while the two copies differ.
set -eu
script=examples/github-action/ferry-token.sh
template=examples/gitlab-component/templates/ferry-token.yml
tmp=$(mktemp)
awk -v script="$script" '
    /^      ferry_token\(\) \($/ {
        print
        while ((getline line < script) > 0) print (line == "" ? "" : "      " line)
        skipping = 1
        next
    }
    skipping && /^      \)$/ { skipping = 0 }
    !skipping { print }
' "$template" >"$tmp"
mv "$tmp" "$template"
