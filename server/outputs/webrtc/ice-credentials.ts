/** An SDP's ICE credentials (`a=ice-ufrag`, `a=ice-pwd`): the first of each, session or media level. */
export interface IceCredentials {
  ufrag: string | undefined;
  pwd: string | undefined;
}

export function iceCredentialsOf(sdp: string): IceCredentials {
  return {
    ufrag: /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1],
    pwd: /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1],
  };
}
