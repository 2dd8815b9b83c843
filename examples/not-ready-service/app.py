"""Theft-risk scoring API (prototype)."""

import os

import joblib
from dotenv import load_dotenv
from flask import Flask, jsonify, request

load_dotenv()
app = Flask(__name__)
SECRET = os.environ["API_SECRET"]
DB_URL = os.getenv("DATABASE_URL")


@app.route("/predict", methods=["POST"])
def predict():
    model = joblib.load(os.getenv("MODEL_PATH", "models/model.joblib"))
    print("scoring", request.json)
    return jsonify({"theft_probability": float(model.predict_proba([request.json["values"]])[0][1])})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
