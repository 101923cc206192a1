#!/usr/bin/env bash
# Rebuilds crates/yimen-present/fonts/NotoSansCJKsc-Regular-subset.otf from Noto Sans CJK
# (fonts-noto-cjk), with fontTools (python3-fonttools). See crates/yimen-present/fonts/README.md.
set -euo pipefail
ttc=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
out="$(dirname "$0")/../crates/yimen-present/fonts/NotoSansCJKsc-Regular-subset.otf"
tmp=$(mktemp --suffix .otf)
trap 'rm -f "$tmp"' EXIT
python3 - "$ttc" "$tmp" <<'PY'
import sys
from fontTools.ttLib import TTCollection
faces = TTCollection(sys.argv[1]).fonts
sc = next(f for f in faces if f["name"].getDebugName(4) == "Noto Sans CJK SC")
sc.save(sys.argv[2])
PY
python3 -m fontTools.subset "$tmp" --output-file="$out" --layout-features='' --no-hinting --name-IDs='*' \
  --unicodes="U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-203B,U+2100-2122,U+2160-216B,U+2190-2193,U+2460-2473,U+25A0-25CF,U+2605-2606,U+3000-303F,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FF00-FFEF,U+20000-2A6DF,U+2A700-2EBEF,U+2F800-2FA1F,U+30000-3134F"
