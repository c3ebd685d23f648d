FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# HOST: reachable from outside the container. DATA_DIR: the one folder the node user may
# write to (/app stays root's), for the embedded default's database and keys when the image
# runs without DATABASE_URL; mount a volume there to keep them.
ENV NODE_ENV=production HOST=0.0.0.0 DATA_DIR=/data
RUN mkdir /data && chown node:node /data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The desk, served at / (src/desk/serve-desk.ts looks for web/dist beside package.json).
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/demo ./demo
USER node
EXPOSE 3000
# The heap limit of `npm start` (docs/performance.md, Memory).
CMD ["node", "--max-old-space-size=256", "dist/src/main.js"]
