# syntax=docker/dockerfile:1
# thaw's image: `docker build -t thaw .`, then `docker run thaw [serve|api|worker]`.
# Configuration comes from environment variables only (README.md, Configuration).

# deps: every dependency, dev ones included (the compiler; docker-compose.yml also runs the SES v2
# emulator aws-ses-v2-local from this stage). Versions come from package-lock.json alone.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# build: compile TypeScript, then drop the dev dependencies so the runtime stage copies
# production node_modules only.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# runtime: compiled code, production dependencies and the email templates (read at start from
# /app/templates), owned by root and run as the unprivileged `node` user, so the process cannot
# change its own code.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY templates ./templates
USER node
EXPOSE 3000
# The slim image has no curl; Node's fetch asks /readyz (503 while Redis does not answer).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# thaw drains on SIGTERM for up to SHUTDOWN_GRACE_MS (default 25 s): give it that long to stop
# (docker stop -t 30, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
