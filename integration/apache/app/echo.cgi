#!/bin/bash
# The application behind Apache in the integration tests: answers with every environment variable whose
# name starts with HTTP_ (the request headers as it received them) or VTJ_ (what the module set for CGI),
# one NAME=value line each, sorted (C locale) so tests can compare sets. Bash only: a fresh Debian may
# lack python and perl.
printf 'Content-Type: text/plain; charset=utf-8\n\n'
while IFS= read -r name; do
  case $name in
    HTTP_* | VTJ_*) printf '%s=%s\n' "$name" "${!name}" ;;
  esac
done < <(compgen -e) | LC_ALL=C sort
