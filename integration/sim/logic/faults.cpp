// Error replies: SOAP faults as an ASMX service writes them, the X-Road security server's faults (HTTP
// 200, a UUID in detail/faultDetail, as Annex D.1 of the message protocol shows), an IIS-style error
// page, and the broken body of the Malformed fault.

#include "envelope.hpp"
#include "vtj/register_request.hpp"
#include "xml_out.hpp"

namespace vtj::sim {

namespace {

Reply soso_fault(Transport t, bool client, std::string_view message) {
  Reply r;
  r.status = 500;
  bool soap12 = t == Transport::Soso12;
  r.content_type = soap12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
  XmlOut out(r.body, false);
  out.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"");
  out.raw(soap12 ? kSoap12Ns : kSoap11Ns);
  out.raw(
      "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><soap:Fault>");
  if (soap12) {
    out.raw("<soap:Code><soap:Value>");
    out.raw(client ? "soap:Sender" : "soap:Receiver");
    out.raw("</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">");
    out.text(message);
    out.raw("</soap:Text></soap:Reason><soap:Detail /></soap:Fault>");
  } else {
    out.raw("<faultcode>");
    out.raw(client ? "soap:Client" : "soap:Server");
    out.raw("</faultcode><faultstring>");
    out.text(message);
    out.raw("</faultstring><detail /></soap:Fault>");
  }
  out.raw("</soap:Body></soap:Envelope>");
  return r;
}

Reply xroad_fault(std::string_view code, std::string_view message) {
  Reply r;
  r.status = 200;  // the security server answers its own faults with 200 (VTJ-INTERFACE.md)
  r.content_type = "text/xml; charset=UTF-8";
  XmlOut out(r.body, false);
  out.raw(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope "
      "xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/"
      "\"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>");
  out.text(code);
  out.raw("</faultcode><faultstring>");
  out.text(message);
  out.raw("</faultstring><faultactor></faultactor><detail><faultDetail xmlns=\"\">");
  out.raw(new_uuid());
  out.raw("</faultDetail></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>");
  return r;
}

}  // namespace

Reply rejection_reply(const Rejection& rej) {
  switch (rej.kind) {
    case Rejection::Kind::Http: {
      Reply r;
      r.status = rej.status;
      r.content_type = "text/plain; charset=utf-8";
      r.body = rej.message + "\n";
      return r;
    }
    case Rejection::Kind::SoapClient:
      return soso_fault(rej.transport, true, rej.message);
    case Rejection::Kind::XRoad:
      return xroad_fault(rej.code, rej.message);
  }
  return soso_fault(rej.transport, true, rej.message);
}

Reply server_fault_reply(Transport t) {
  if (t == Transport::XRoad) {
    return xroad_fault("Server.ServerProxy.ServiceFailed",
                       "Service responded with an error: the register did not answer (simulated fault)");
  }
  return soso_fault(t, false,
                    "Server was unable to process request. ---> The register's database is not available "
                    "(simulated fault).");
}

Reply http500_reply() {
  Reply r;
  r.status = 500;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<title>Runtime Error</title>\r\n</head>\r\n<body "
      "bgcolor=\"white\">\r\n"
      "<span><h1>Server Error in '/sosowebsite' Application.<hr width=100% size=1 color=silver></h1>\r\n"
      "<h2><i>Runtime Error</i></h2></span>\r\n"
      "<p><b>Description:</b> An application error occurred on the server (simulated fault).</p>\r\n"
      "</body>\r\n</html>\r\n";
  return r;
}

std::string malformed_body(std::string_view answer) {
  // Cut inside the person data and go on with what no XML parser accepts: a stray '<', an undefined
  // entity and an element never closed.
  std::string out(answer.substr(0, answer.size() * 3 / 5));
  out += "<<Kotikunta><Kuntanumero>0&nbsp;91</Kuntanumero><KuntaS>Hel";
  return out;
}

std::string new_uuid() {
  // A log correlation id, as the security server puts in faultDetail: the core's UUID generator serves.
  return reg::new_message_id();
}

}  // namespace vtj::sim
