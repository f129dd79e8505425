#!/bin/bash
# The demo's application page: lists the person headers (VTJ-*) the request brought, with percent-encoded
# values (the module's default encoding) decoded to readable UTF-8, and says why an expected header is
# absent. Plain text, so no value can turn into markup. Bash only.
printf 'Content-Type: text/plain; charset=utf-8\n\n'

# The default header set in the contract's order (docs: CONTRACT.md, Fields).
headers=(Status Hetu Satu Surname Given-Names Calling-Name Birth-Date Street-Address Postal-Code Post-Office
  Municipality-Code Municipality Mother-Tongue Nationality Deceased Security-Prohibition)
withheld=" Street-Address Postal-Code Post-Office Municipality-Code Municipality "

env_name() {  # env_name Header-Name: the CGI variable Apache makes of it (HTTP_VTJ_GIVEN_NAMES)
  local n=${1//-/_}
  printf 'HTTP_VTJ_%s' "${n^^}"
}

decode() {  # decode VALUE: %XX sequences as bytes; a value without them unchanged
  local v=$1
  case $v in
    *%[0-9A-Fa-f][0-9A-Fa-f]*) ;;
    *) printf '%s' "$v"; return ;;
  esac
  v=${v//\\/\\\\}
  v=${v//%/\\x}
  printf '%b' "$v"
}

echo "What the application behind Apache received"
echo "==========================================="
echo
if [ -n "${HTTP_X_FORWARDED_FOR:-}" ]; then
  echo "Reached through the proxy (/proxy/); the client was ${HTTP_X_FORWARDED_FOR}."
else
  echo "Run by Apache's TLS host itself."
fi
if [ -n "${SSL_CLIENT_S_DN:-}" ]; then
  echo "Client certificate: ${SSL_CLIENT_S_DN}"
  echo "Issued by:          ${SSL_CLIENT_I_DN:-?}"
fi
echo

any=""
for name in $(compgen -e); do
  case $name in HTTP_VTJ_*) any=yes ;; esac
done
if [ -z "$any" ]; then
  echo "No VTJ-* headers arrived: the module is not loaded here, or 'VTJ On' is not set for this location."
  exit 0
fi

prohibition=$(decode "${HTTP_VTJ_SECURITY_PROHIBITION:-}")
status=$(decode "${HTTP_VTJ_STATUS:-}")
echo "Person headers (percent-encoded values shown decoded):"
known=" "
for h in "${headers[@]}"; do
  var=$(env_name "$h")
  known="$known$var "
  if [ -n "${!var+set}" ]; then
    printf '  %-26s %s\n' "VTJ-$h" "$(decode "${!var}")"
  elif [ "$status" = unavailable ]; then
    printf '  %-26s -- absent: the register could not be asked\n' "VTJ-$h"
  elif [ "$prohibition" = 1 ] && [[ $withheld == *" $h "* ]]; then
    printf '  %-26s -- absent: withheld (security prohibition)\n' "VTJ-$h"
  else
    printf '  %-26s -- absent: no value in the register, or not a configured header\n' "VTJ-$h"
  fi
done

others=""
for name in $(compgen -e | LC_ALL=C sort); do
  case $name in
    HTTP_VTJ_*) [[ $known == *" $name "* ]] || others="$others$name " ;;
  esac
done
if [ -n "$others" ]; then
  echo
  echo "Other VTJ headers (as CGI variables):"
  for name in $others; do
    printf '  %-26s %s\n' "$name" "$(decode "${!name}")"
  done
fi

count=0
for name in $(compgen -e); do
  case $name in VTJ_*) count=$((count + 1)) ;; esac
done
echo
if [ "$count" -gt 0 ]; then
  echo "The module also set $count VTJ_* environment variables for this program (raw UTF-8)."
else
  echo "No VTJ_* environment variables: those exist only where the module ran in this same server (not behind /proxy/)."
fi
