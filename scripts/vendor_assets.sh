#!/usr/bin/env bash
# Re-fetch the browser assets of the docs page (/docs) and the GraphQL playground (/playground)
# into chalicelib/static/ from the npm registry: pinned versions, tarballs checked against the
# sha512 integrity below (the registry's own `dist.integrity`), only the files the pages load plus
# each package's licence. Run it after changing a version here and in
# chalicelib/rest/docs_assets.py (which serves exactly these files). Needs node's npm.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=chalicelib/static

# package@version  integrity  files to keep (besides the licence files)
PACKAGES=(
  "swagger-ui-dist@5.36.0|sha512-Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixwmoi9ezDbLHiexC7lA9A==|swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt"
  "graphiql@3.9.0|sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA==|graphiql.min.js graphiql.min.css LICENSE"
  "react@18.3.1|sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==|umd/react.production.min.js LICENSE"
  "react-dom@18.3.1|sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==|umd/react-dom.production.min.js LICENSE"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r spec integrity files <<<"$entry"
  name=${spec%@*}
  version=${spec##*@}
  tarball=$(cd "$work" && npm pack --silent "$spec")
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
  if [[ "$actual" != "$integrity" ]]; then
    echo "integrity mismatch for $spec: got $actual" >&2
    exit 1
  fi
  unpacked="$work/$name-$version"
  mkdir -p "$unpacked"
  tar -xzf "$work/$tarball" -C "$unpacked"
  target="$DEST/$name-$version"
  rm -rf "$target"
  mkdir -p "$target"
  for file in $files; do
    cp "$unpacked/package/$file" "$target/$(basename "$file")"
  done
  echo "$target: $(du -sk "$target" | cut -f1) KiB"
done
