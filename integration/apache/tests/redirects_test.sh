#!/usr/bin/env bash
# Internal redirects, ErrorDocuments and nested sections: a deny met first inside an ErrorDocument (or a
# redirect) is enforced; the ErrorDocument of the module's own deny is served; a location's settings
# merged over a <Directory> (a combination no section holds alone) still reach the register with the
# files the parent read (the workers cannot read the customer's key).
. "$(dirname "$0")/test-lib.sh"

start_sim
start_apache "<Location /cgi/echo>
  VTJ On
</Location>
ErrorDocument 404 /cgi/echo
<Directory $WORK/apache/htdocs/static>
  VTJTimeout 900 4000
</Directory>
<Location /static/>
  VTJ On
</Location>"

# A refused certificate reaching the protected application through the 404's ErrorDocument.
login special/org-ca /no/such/page >/dev/null
expect_not_in "a deny inside an ErrorDocument is enforced" "$WORK/body" "HTTP_HOST="
# A citizen who resolves gets the application as the ErrorDocument, with the headers.
login adult /no/such/page >/dev/null
expect_in "the ErrorDocument resolves a citizen" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
# The module's own deny is answered as a deny.
expect "a direct deny" "$(login special/org-ca /cgi/echo)" 403

# Settings merged from <Directory> and <Location>: a client made in the worker, from the parent's files.
expect "nested sections" "$(login adult-ec /static/hello.txt)" 200
vtj_apache_log >"$WORK/log"
expect_not_in "no key read in a worker" "$WORK/log" "cannot read the client key"
finish
