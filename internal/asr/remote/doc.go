// Package remote is the adapter for an external speech recogniser: a
// server speaking the OpenAI-compatible audio transcription API,
//
//	POST {base}/v1/audio/transcriptions
//	multipart/form-data: file (WAV), model, language, prompt, temperature, response_format=json
//	-> 200 {"text": "..."}; errors {"error": {"message": "..."}}
//
// fed one utterance at a time. It is the de facto interface of whisper
// servers — OpenAI's own, whisper.cpp's server (--inference-path
// /v1/audio/transcriptions), faster-whisper-server/Speaches, LocalAI, vLLM
// and hosted ones — so a deployment can point clearline at a stronger
// model on other hardware with nothing but a URL. Whisper-class models
// are trained on far more varied audio than pocketsphinx's en-us model and
// transcribe telephone speech in full; the cost is latency (one request per
// utterance, no partial results), which suits scam detection: tactics
// unfold over sentences, not syllables.
//
// The stream front end (queue, VAD, 16 kHz upsampling) is
// asr.NewUtteranceStream; this package only turns an utterance into one
// HTTP request and the response into a segment. Requests are bounded by
// a timeout and by the stream's context; a failed or malformed response
// loses that utterance's text (logged and counted), never the stream.
//
// What it never does: retry (a late transcript is worth little and the
// next utterance is coming), send audio the VAD judged silence, or keep
// audio after the request.
package remote
