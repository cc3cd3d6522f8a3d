#!/usr/bin/env bash
#
# Spark's GPU resource discovery script (spark.executor.resource.gpu.discoveryScript, spark.driver.resource.gpu…):
# prints the GPUs this container sees as Spark's ResourceInformation JSON, e.g. {"name":"gpu","addresses":["0","1"]}.
# Uses nvidia-smi (present in NVIDIA's CUDA images with the NVIDIA container runtime); prints no addresses without it.
set -euo pipefail
addresses=""
if command -v nvidia-smi > /dev/null 2>&1; then
  addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g; s/.*/"&"/' | paste -sd, -)"
fi
echo "{\"name\":\"gpu\",\"addresses\":[${addresses}]}"
