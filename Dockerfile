# syntax=docker/dockerfile:1
# target-monitor (目标进度监测): one image, three roles (APP_ROLE=all|api|worker).

############################
# build: all deps + tsc
############################
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

COPY package.json package-lock.json ./
RUN npm ci

COPY . .
# "build": "tsc -p tsconfig.build.json" -> dist/ (entry dist/src/main.js,
# compiled migrations in dist/migrations, seeds in dist/seeds)
RUN npm run build

############################
# runtime: production deps only
############################
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# CJK fonts for server-side charts (SVG -> PNG) in emails and pages
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei fontconfig \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && npm cache clean --force

COPY --from=build /app/dist ./dist

# the image's unprivileged "node" user (uid 1000); app files stay root-owned, read-only
USER node

EXPOSE 3000
CMD ["node", "dist/src/main.js"]
