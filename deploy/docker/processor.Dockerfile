# syntax=docker/dockerfile:1
# Image of the stream processor and its TimescaleDB sink. Build from the repository root:
#   docker build -f deploy/docker/processor.Dockerfile -t REGISTRY/nodepulse/processor:VERSION .
# Stages: Maven builds the jar and its runtime classpath; jlink makes a Java runtime with only the modules in
# deploy/docker/processor.modules; the final image is debian:13-slim with that runtime, the jars and a non-root
# numeric user. The java command line is the one ./nodepulse processor runs.
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG BASE_IMAGE=debian:13-slim

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
# The schemas test-jar is a test dependency of the module, so tests are compiled but not run.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl stream-processor -am package -DskipTests -DskipITs

FROM ${JDK_IMAGE} AS jlink
COPY deploy/docker/processor.modules /tmp/processor.modules
RUN jlink --add-modules "$(grep -v '^[[:space:]]*\(#\|$\)' /tmp/processor.modules | paste -sd, -)" \
      --strip-debug --no-header-files --no-man-pages --compress=2 --output /opt/java

FROM ${BASE_IMAGE}
# A fixed numeric UID and GID (the manifests' runAsUser/runAsGroup), with no login and no home.
RUN groupadd --gid 65532 nodepulse \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nodepulse
COPY --from=jlink /opt/java /opt/java
COPY --from=build /src/stream-processor/target/lib/ /opt/nodepulse/lib/
COPY --from=build /src/stream-processor/target/nodepulse-stream-processor.jar /opt/nodepulse/app.jar
COPY stream-processor/jvm.options /opt/nodepulse/jvm.options
# UTF-8 file names (a rules file or state directory path that is not ASCII)
ENV PATH=/opt/java/bin:$PATH LANG=C.UTF-8
USER 65532:65532
WORKDIR /opt/nodepulse
# As ./nodepulse processor: java @jvm.options -cp app.jar:lib/* io.nodepulse.processor.Main
ENTRYPOINT ["java", "@/opt/nodepulse/jvm.options", "-cp", "/opt/nodepulse/app.jar:/opt/nodepulse/lib/*", "io.nodepulse.processor.Main"]
