#!/usr/bin/env bash
#
# The image's entrypoint. The first argument picks the role:
#   train | evaluate | compare | sweep | nightly | report | resume | help   the trainer's CLI (scripts/trainer; Spark in
#                                                                         local mode or spark-submit's --master)
#   submit ARGS...    SparkSubmit with the trainer's main class and jar: submit --master spark://m:7077 train --config …
#   master [ARGS]     a Spark standalone master (port 7077, web UI 8080)
#   worker MASTER_URL [ARGS]   a Spark standalone worker
#   anything else     run as given (a shell, …)
set -euo pipefail

source /opt/sparkdnn/scripts/jvm-options.sh
export TRAINER_CLASSPATH="${TRAINER_CLASSPATH:-$SPARK_HOME/jars/*}"
jar=/opt/sparkdnn/driver/target/trainer.jar
spark_java=(java "${SPARK_JAVA17_OPENS[@]}" ${SPARK_DAEMON_JAVA_OPTS:-} -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*")

role="${1:-help}"
case "$role" in
  train|evaluate|compare|sweep|nightly|report|resume|help|--help|-h)
    exec /opt/sparkdnn/scripts/trainer "$@" ;;
  submit)
    shift
    # spark-submit's options come first, then the trainer's subcommand and its options; the jar goes between
    options=()
    while [[ $# -gt 0 && ! "$1" =~ ^(train|evaluate|compare|sweep|nightly|report|resume|help)$ ]]; do
      options+=("$1")
      shift
    done
    exec "${spark_java[@]}" org.apache.spark.deploy.SparkSubmit \
      --conf "spark.driver.extraJavaOptions=${SPARK_JAVA17_OPENS[*]}" \
      --conf "spark.executor.extraJavaOptions=${SPARK_JAVA17_OPENS[*]}" \
      --class org.sparkdnn.cli.Main "${options[@]}" "$jar" "$@" ;;
  master)
    shift
    exec "${spark_java[@]}" org.apache.spark.deploy.master.Master --host "${SPARK_MASTER_HOST:-$(hostname)}" \
      --port 7077 --webui-port 8080 "$@" ;;
  worker)
    shift
    exec "${spark_java[@]}" org.apache.spark.deploy.worker.Worker --webui-port 8081 "$@" ;;
  *)
    exec "$@" ;;
esac
