console.log("slope cli: not yet");
