#!/usr/bin/env bash
# Makes sure moto's server (a local S3 and SQS for the integration tests) is installed:
# `python3 -m moto.server` must import. Installs `moto[server]` for the user with pip otherwise.
# The tests start their own server on 127.0.0.1 and a free port; this script starts nothing.
set -euo pipefail
if python3 -c 'import moto.server' 2>/dev/null; then
  echo "moto: $(python3 -c 'import moto; print(moto.__version__)') is installed"
  exit 0
fi
echo "moto: installing moto[server] with pip (--user)"
python3 -m pip install --user --quiet 'moto[server]' \
  || python3 -m pip install --user --quiet --break-system-packages 'moto[server]'
python3 -c 'import moto.server'
echo "moto: $(python3 -c 'import moto; print(moto.__version__)') installed"
