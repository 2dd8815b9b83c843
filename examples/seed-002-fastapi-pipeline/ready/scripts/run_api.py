"""Start the API with uvicorn (two workers), as in production."""

import uvicorn

if __name__ == "__main__":
    uvicorn.run("src.api.main:app", host="0.0.0.0", port=8000, workers=2)
