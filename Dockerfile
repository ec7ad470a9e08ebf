# sigstream in a container (Debian 12), for the Nextflow modules' and the Snakemake workflow's `container`:
#
#     docker build -t ghcr.io/sigstream/sigstream:0.1.0 .
#
# The build step is the README's set-up command, word for word (checked by tests/workflow/nextflow_contract_test.py):
# it installs the Debian packages, builds, and runs the bundled example once as a smoke test.
FROM debian:12
LABEL org.opencontainers.image.ref.name="ghcr.io/sigstream/sigstream:0.1.0" \
      org.opencontainers.image.title="sigstream" \
      org.opencontainers.image.description="Mutational spectra and signatures from VCF/BCF: count, extract (NMF, convex NMF, AE-NMF), compare with COSMIC, fit"
WORKDIR /opt/sigstream
COPY . .
RUN scripts/install-deps.sh && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 && build/sigstream run workflow/example.toml --out-dir example_run
# Installed on PATH with its backends and data; procps gives Nextflow the `ps` its task metrics need.
RUN cmake --install build --prefix /usr/local && rm -rf example_run build \
    && apt-get install -y --no-install-recommends procps && rm -rf /var/lib/apt/lists/*
WORKDIR /data
