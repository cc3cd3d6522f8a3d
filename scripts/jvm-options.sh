# Sourced by scripts/trainer and scripts/submit: JVM options every launch of the driver needs.
# Spark on Java 17 needs its opens list (the same list is in pom.xml's spark.java17.opens for tests).
SPARK_JAVA17_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  # libnd4j built with oneDNN (the jar's linux-x86_64-onednn libraries; falls back to the default build where absent):
  # conv and pooling run ~3x faster (org.sparkdnn.model.NativeConv). The tests set it too (pom.xml nd4j.platform.options).
  -Dorg.bytedeco.javacpp.platform.extension=-onednn
)
