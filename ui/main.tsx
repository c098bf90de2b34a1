import { render } from "preact";

render(<p>chatroulette</p>, document.getElementById("app")!);
