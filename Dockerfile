# notes-qa's Telegram bot in a container. Untested in CI (no Docker engine runs there); hadolint checks it.
#
#   docker build -t notes-qa .
#   docker run -d --env-file .env -v "$PWD/my-notes:/notes:ro" -v notes-qa-data:/data notes-qa
#
# /notes is the notes folder (the bundled Docker notes unless a folder is mounted there), /data holds the
# saved index, the chat state and the question log. See compose.yaml and README.md.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY index ./index
COPY bot ./bot
RUN python -m venv /opt/notes-qa \
    && /opt/notes-qa/bin/pip install --no-cache-dir --disable-pip-version-check .

FROM python:3.11-slim
RUN groupadd --gid 10001 notes \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin notes \
    && mkdir -p /data \
    && chown 10001:10001 /data
COPY --from=build /opt/notes-qa /opt/notes-qa
COPY --chown=10001:10001 corpus /notes
ENV PATH=/opt/notes-qa/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    NOTES_QA_NOTES_DIR=/notes \
    NOTES_QA_CACHE_DIR=/data/cache \
    NOTES_QA_STATE_DB=/data/telegram-state.sqlite3 \
    NOTES_QA_QUESTION_DB=/data/questions.sqlite3
USER 10001:10001
WORKDIR /home/notes
VOLUME ["/notes", "/data"]
# The bot's event loop touches /data/telegram-state.alive every 30 s; the check fails when it is 90 s old.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 CMD ["python", "-m", "bot.health"]
CMD ["python", "-m", "bot"]
