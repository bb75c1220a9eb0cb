# One image for every process; TARGET picks what it runs (members, ledger, …, gateway).
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm i -g pnpm@12.21.0
WORKDIR /app
COPY . .
RUN npm_config_nodedir=/usr/local pnpm install --frozen-lockfile && pnpm build && pnpm prune --prod

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 4000
CMD ["node", "apps/launcher/dist/main.js"]
