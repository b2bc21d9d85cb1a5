// TSX sample for the golden test.
import React from "react";
import { Button } from "./button";

interface Props {
  label: string;
}

/** Renders a labelled button. */
export function Labelled(props: Props) {
  const [count, setCount] = React.useState<number>(0);
  return <Button onClick={() => setCount(count + 1)}>{props.label}</Button>;
}

export default class Panel extends React.Component<Props> {
  render() {
    return <div>{this.props.label}</div>;
  }
}
