#!/usr/bin/env bash
# Compiles every gettext catalog under locale/ (.po -> .mo) with Babel, so no system gettext is needed.
# Fuzzy entries are compiled too (--use-fuzzy): a rough translation beats English in the middle of a Chinese page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shopt -s nullglob
compiled=0
for domain in django djangojs; do
    catalogs=(locale/*/LC_MESSAGES/"$domain".po)
    if [ ${#catalogs[@]} -gt 0 ]; then
        .venv/bin/pybabel -q compile -d locale -D "$domain" --use-fuzzy
        compiled=$((compiled + ${#catalogs[@]}))
    fi
done
echo "translations: compiled $compiled catalog(s)"
