#!/usr/bin/env bash
#
# The image's entrypoint. The first argument picks the role:
#   train | evaluate | predict | compare | sweep | nightly | report | resume | backend | help
#                                 the trainer's CLI (scripts/trainer; Spark in local mode or spark-submit's --master)
#   submit OPTIONS... SUBCOMMAND ...   spark-submit of the trainer's jar: submit --master spark://m:7077 train --config …
#   master [ARGS]                 a Spark standalone master (port 7077, web UI 8080)
#   worker MASTER_URL [ARGS]      a Spark standalone worker
#   driver ARGS | executor        what Spark on Kubernetes runs in its driver and executor pods (as Spark's own image)
#   namenode | datanode [-D k=v]  an HDFS NameNode (formats an empty name directory first) or DataNode, data under
#                                 /opt/hadoop/data (a volume); the file system is $HDFS_URI [hdfs://namenode:8020]
#   hdfs ARGS                     Hadoop's file system shell on $HDFS_URI: hdfs -put -f F /data/, hdfs -ls -R /
#   secret FILE                   writes a fresh random Spark authentication secret (32 bytes, base64) to FILE, mode
#                                 0400, unless FILE already holds one (compose's spark-secret step)
#   anything else                 run as given (a shell, …)
# Spark's launcher (org.apache.spark.launcher.Main, what bin/spark-class runs) builds the JVM command lines, so
# spark.driver.memory, SPARK_DAEMON_MEMORY and friends apply as usual.
#
# Environment: SPARK_AUTH_SECRET_FILE, a file holding Spark's shared secret: with it, `submit`, `master` and `worker`
# run with spark.authenticate and spark.network.crypto.enabled on and that secret (put in a spark-defaults.conf of a
# private directory, SPARK_CONF_DIR, never on a command line or in the environment); a missing or empty file is an error.
set -euo pipefail

source /opt/sparkdnn/scripts/jvm-options.sh
export TRAINER_CLASSPATH="${TRAINER_CLASSPATH:-$SPARK_HOME/jars/*}"
jar=/opt/sparkdnn/driver/target/trainer.jar
opens="${SPARK_JAVA17_OPENS[*]}"

spark_class() { # CLASS ARGS: bin/spark-class without a Spark distribution (Spark's launcher builds the command line)
  exec /opt/sparkdnn/scripts/spark-class "$@"
}

hdfs_uri="${HDFS_URI:-hdfs://namenode:8020}"
hadoop_java() { # MAIN ARGS: exec a JVM with HDFS's server classes (the minicluster jar) over Spark's Hadoop client jars and
  # a configuration directory written here: core-site.xml (fs.defaultFS) and hdfs-site.xml (one replica, data under
  # /opt/hadoop/data, NameNode listening on all of the container's addresses)
  local conf="${HADOOP_CONF_DIR:-/tmp/hadoop-conf}"
  mkdir -p "$conf"
  property() { printf '  <property><name>%s</name><value>%s</value></property>\n' "$1" "$2"; }
  { echo '<configuration>'; property fs.defaultFS "$hdfs_uri"; echo '</configuration>'; } > "$conf/core-site.xml"
  { echo '<configuration>'
    property dfs.replication 1
    property dfs.namenode.rpc-bind-host 0.0.0.0
    property dfs.namenode.name.dir /opt/hadoop/data/name
    property dfs.datanode.data.dir /opt/hadoop/data/data
    property dfs.namenode.datanode.registration.ip-hostname-check false
    echo '</configuration>'; } > "$conf/hdfs-site.xml"
  exec "$JAVA_HOME/bin/java" ${HADOOP_HEAPSIZE:+-Xmx$HADOOP_HEAPSIZE} \
    -Dlog4j2.configurationFile=/opt/sparkdnn/docker/log4j2-hdfs.properties \
    -cp "$conf:/opt/hadoop/jars/*:$SPARK_HOME/jars/*" "$@"
}

spark_auth() { # with SPARK_AUTH_SECRET_FILE: authentication and RPC encryption on, the secret from the file
  local file="${SPARK_AUTH_SECRET_FILE:-}"
  [[ -n "$file" ]] || return 0
  [[ -s "$file" && -r "$file" ]] || {
    echo "error: SPARK_AUTH_SECRET_FILE=$file is missing, empty or unreadable (compose makes it in its spark-secret step)" >&2
    exit 1
  }
  local conf
  conf="$(mktemp -d /tmp/spark-conf.XXXXXX)" # mode 0700, this user's
  if [[ -f "${SPARK_CONF_DIR:-$SPARK_HOME/conf}/spark-defaults.conf" ]]; then
    cp "${SPARK_CONF_DIR:-$SPARK_HOME/conf}/spark-defaults.conf" "$conf/"
  fi
  (umask 077 && printf 'spark.authenticate true\nspark.network.crypto.enabled true\nspark.authenticate.secret %s\n' \
    "$(tr -d '\n' < "$file")" >> "$conf/spark-defaults.conf")
  export SPARK_CONF_DIR="$conf"
}

role="${1:-help}"
case "$role" in
  train|evaluate|predict|compare|sweep|nightly|report|resume|backend|help|--help|-h)
    exec /opt/sparkdnn/scripts/trainer "$@" ;;
  submit)
    shift
    spark_auth
    # spark-submit's options come first, then the trainer's subcommand and its options; the jar goes between
    options=()
    while [[ $# -gt 0 && ! "$1" =~ ^(train|evaluate|predict|compare|sweep|nightly|report|resume|backend|help)$ ]]; do
      options+=("$1")
      shift
    done
    app="$jar"
    if [[ " ${options[*]} " == *" k8s://"* || " ${options[*]} " == *"=k8s://"* ]]; then
      app="local://$jar" # Kubernetes: the jar is already in the driver's and executors' image
    fi
    spark_class org.apache.spark.deploy.SparkSubmit \
      --conf "spark.driver.extraJavaOptions=$opens" --conf "spark.executor.extraJavaOptions=$opens" \
      --class org.sparkdnn.cli.Main "${options[@]}" "$app" "$@" ;;
  master)
    shift
    spark_auth
    export SPARK_DAEMON_JAVA_OPTS="$opens ${SPARK_DAEMON_JAVA_OPTS:-}"
    spark_class org.apache.spark.deploy.master.Master --host "${SPARK_MASTER_HOST:-$(hostname)}" --port 7077 \
      --webui-port 8080 "$@" ;;
  worker)
    shift
    spark_auth
    export SPARK_DAEMON_JAVA_OPTS="$opens ${SPARK_DAEMON_JAVA_OPTS:-}"
    spark_class org.apache.spark.deploy.worker.Worker --webui-port 8081 "$@" ;;
  driver)
    shift
    spark_class org.apache.spark.deploy.SparkSubmit \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS:-0.0.0.0}" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=${SPARK_DRIVER_BIND_ADDRESS:-}" \
      --deploy-mode client "$@" ;;
  executor)
    # Spark passes the executor's JVM options as SPARK_JAVA_OPT_<n> and everything else as SPARK_* variables
    java_opts=()
    while IFS= read -r line; do
      java_opts+=("$line")
    done < <(env | grep '^SPARK_JAVA_OPT_' | sort -t_ -k4 -n | sed 's/^[^=]*=//')
    exec "$JAVA_HOME/bin/java" "${SPARK_JAVA17_OPENS[@]}" "${java_opts[@]}" \
      -Xms"${SPARK_EXECUTOR_MEMORY:-1g}" -Xmx"${SPARK_EXECUTOR_MEMORY:-1g}" \
      -cp "${SPARK_CLASSPATH:+$SPARK_CLASSPATH:}$SPARK_HOME/jars/*" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "$SPARK_DRIVER_URL" --executor-id "$SPARK_EXECUTOR_ID" --cores "$SPARK_EXECUTOR_CORES" \
      --app-id "$SPARK_APPLICATION_ID" --hostname "$SPARK_EXECUTOR_POD_IP" \
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID:-0}" --podName "${SPARK_EXECUTOR_POD_NAME:-}" ;;
  namenode)
    shift
    if [[ ! -d /opt/hadoop/data/name/current ]]; then
      (hadoop_java org.apache.hadoop.hdfs.server.namenode.NameNode -format -nonInteractive)
    fi
    hadoop_java org.apache.hadoop.hdfs.server.namenode.NameNode "$@" ;;
  datanode)
    shift
    hadoop_java org.apache.hadoop.hdfs.server.datanode.DataNode "$@" ;;
  hdfs)
    shift
    hadoop_java org.apache.hadoop.fs.FsShell "$@" ;;
  secret)
    file="${2:?usage: secret FILE}"
    if [[ ! -s "$file" ]]; then
      (umask 077 && head -c 32 /dev/urandom | base64 > "$file.tmp" && chmod 0400 "$file.tmp" && mv -f "$file.tmp" "$file")
      echo "wrote a new Spark authentication secret to $file"
    else
      echo "kept the Spark authentication secret in $file"
    fi ;;
  *)
    exec "$@" ;;
esac
