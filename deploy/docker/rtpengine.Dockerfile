# rtpengine for FoSIP's media (media.engine "rtpengine"), from Debian's rtpengine-daemon package, in
# userspace (the kernel module needs the host's kernel headers). Built and run by compose.yaml
# (`docker compose --profile rtpengine up`); its ng control listens on loopback only, and the DTMF digits it
# sees go to FoSIP's media.rtpengineEvents (udp:127.0.0.1:22223).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rtpengine-daemon \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENV RTPENGINE_INTERFACE=127.0.0.1
EXPOSE 22222/udp
HEALTHCHECK --interval=10s --timeout=3s CMD ["sh", "-c", "pidof rtpengine >/dev/null"]
CMD ["sh", "-c", "exec rtpengine --config-file=none --foreground --log-stderr --table=-1 --interface=\"$RTPENGINE_INTERFACE\" --listen-ng=127.0.0.1:22222 --dtmf-log-dest=127.0.0.1:22223 --port-min=30000 --port-max=40000 --no-redis-required"]
