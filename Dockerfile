# The credwalk API. Build: docker build -t credwalk .   Run: docker run -p 8000:8000 credwalk
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    CREDWALK_STORE=sqlite:////data/credwalk.db \
    CREDWALK_EMBEDDING_CACHE=/data/embeddings.db \
    CREDWALK_KEY_DIR=/data/keys

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY api ./api
COPY ontologies ./ontologies
RUN pip install --no-cache-dir -e . && useradd --create-home credwalk \
    && mkdir -p /data && chown credwalk /data
USER credwalk
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["credwalk", "serve", "--host", "0.0.0.0", "--port", "8000"]
