#!/usr/bin/env bash
# Refreshes the GOV.UK Frontend assets that are compiled into the sendplan binary.
# They are committed (crates/web/assets/govuk) so that building sendplan never needs npm;
# run this only to move to a new govuk-frontend release, then check the pages in a browser.
set -euo pipefail
version="${1:-5.14.0}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund "govuk-frontend@$version" >/dev/null)
src="$work/node_modules/govuk-frontend/dist/govuk"
dest="$here/crates/web/assets/govuk"
rm -rf "$dest" && mkdir -p "$dest"
# sendplan is not a GOV.UK service, so it must not use the GOV.UK Transport typeface or the
# crown (see the Design System's guidance for services not on GOV.UK): the @font-face rules
# are removed and the font stack falls back to Arial, as the Design System does itself.
python3 - "$src/govuk-frontend.min.css" "$dest/govuk-frontend.min.css" <<'PY2'
import re, sys
css = open(sys.argv[1]).read()
css = re.sub(r'@font-face\{[^}]*\}', '', css)
css = css.replace('"GDS Transport",', '').replace('GDS Transport,', '')
css = re.sub(r'/\*# sourceMappingURL=[^*]*\*/', '', css)
open(sys.argv[2], 'w').write(css)
PY2
sed -e 's|//# sourceMappingURL=.*||' "$src/govuk-frontend.min.js" > "$dest/govuk-frontend.min.js"
cp "$work/node_modules/govuk-frontend/package.json" "$dest/package.json"
echo "govuk-frontend $version copied to $dest"
