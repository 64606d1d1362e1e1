# opforge on Debian 12. The package list is scripts/deps.txt, shared with
# scripts/install-deps.sh, so the image and the scripts install the same set.
FROM debian:bookworm

ENV DEBIAN_FRONTEND=noninteractive
COPY scripts/deps.txt /tmp/deps.txt
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(grep -Ev '^\s*(#|$)' /tmp/deps.txt) \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/opforge
COPY . .
RUN scripts/build.sh
ENV PATH=/opt/opforge/build/bin:$PATH
# Running as root inside the container: allow Open MPI to do so.
ENV OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HDF5_USE_FILE_LOCKING=FALSE
CMD ["opforge", "--help"]
