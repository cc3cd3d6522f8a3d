# Sourced by the benchmark scripts in bench/: puts bench/target/bench.jar (the benchmark classes, which trainer.jar
# does not hold) before the trainer jar on scripts/trainer's classpath. Needs $home (the project root).
bench_jar="${BENCH_JAR:-$home/bench/target/bench.jar}"
if [[ ! -f "$bench_jar" ]]; then
  echo "error: $bench_jar not found; build it first: mvn -q -DskipTests package" >&2
  exit 1
fi
export TRAINER_EXTRA_CLASSPATH="$bench_jar${TRAINER_EXTRA_CLASSPATH:+:$TRAINER_EXTRA_CLASSPATH}"
