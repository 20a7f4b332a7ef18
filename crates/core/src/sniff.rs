//! Container sniffing: the format and native sample rate of an encoded file from its header.
//! The app uses the rate to decode with Web Audio at the file's own rate, so the core's
//! resampler (not the browser's) brings it to 22 050 Hz, as in the CLI.
