#!/usr/bin/env bash
# Translations with Babel. Django reads locale/<locale>/LC_MESSAGES/django.mo (zh-hans <-> zh_Hans).
#   scripts/i18n.sh extract   write locale/django.pot from the Python sources and the Jinja2 templates
#   scripts/i18n.sh update    extract, then merge new msgids into every catalog (locale/*/LC_MESSAGES/django.po)
#   scripts/i18n.sh compile   compile every catalog to django.mo (run after a checkout: the .mo files are not in git)
#   scripts/i18n.sh init LOC  start a catalog for a new locale, e.g. `scripts/i18n.sh init ja`
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
[ -x "$PYBABEL" ] || PYBABEL=pybabel
POT=var/i18n/django.pot  # generated, not committed
mkdir -p var/i18n

extract() {
  "$PYBABEL" extract --mapping-file=babel.cfg --output-file="$POT" \
    --no-wrap --sort-by-file --project=Stagewise --copyright-holder=Stagewise --msgid-bugs-address=dev@stagewise.local \
    --keywords="_ gettext gettext_lazy ngettext:1,2 ngettext_lazy:1,2 pgettext:1c,2 pgettext_lazy:1c,2 npgettext:1c,2,3" \
    --ignore-dirs=".* _* var tests bench migrations node_modules __pycache__" \
    .
}

case "${1:-}" in
  extract) extract ;;
  update)
    extract
    "$PYBABEL" update --input-file="$POT" --output-dir=locale --domain=django --no-wrap --ignore-obsolete --no-fuzzy-matching
    ;;
  compile) "$PYBABEL" compile --directory=locale --domain=django --statistics ;;
  init) "$PYBABEL" init --input-file="$POT" --output-dir=locale --domain=django --locale="${2:?locale}" --no-wrap ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
