// Proxies the frontend's uploads to the ML service, adding the service's API key.
const express = require("express");
const helmet = require("helmet");
const compression = require("compression");
const fs = require("fs");

const app = express();
app.use(helmet());
app.use(compression());
const key = fs.readFileSync(process.env.ML_API_KEY_FILE || "/run/secrets/ml_api_key", "utf8").trim();

app.get("/health", (req, res) => res.json({ status: "healthy" }));
app.post("/api/predict", async (req, res) => {
  const response = await fetch(`${process.env.ML_URL}/predict`, {
    method: "POST", headers: { "X-API-Key": key, "content-type": req.headers["content-type"] }, body: req, duplex: "half",
    signal: AbortSignal.timeout(120000),
  });
  res.status(response.status).json(await response.json());
});
app.listen(3000);
