# Prometheus from Debian's prometheus package, for the compose stack
# (docker-compose.yml). Built FROM the same slim Debian image as the Parley
# services, so no registry image is needed; see seed-base-images.sh.
# docker-compose.yml mounts deploy/prometheus/prometheus-compose.yml as its
# config and deploy/prometheus/rules next to it.

ARG DEBIAN_SLIM_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_SLIM_IMAGE}

# The package's maintainer scripts create the prometheus system user and
# /var/lib/prometheus/metrics2 owned by it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/*

USER prometheus:prometheus
EXPOSE 9090
# The query API answers only once the TSDB is ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["promtool", "query", "instant", "http://127.0.0.1:9090", "vector(1)"]
ENTRYPOINT ["prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", \
     "--storage.tsdb.path=/var/lib/prometheus/metrics2", \
     "--web.listen-address=0.0.0.0:9090"]
