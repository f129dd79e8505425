#pragma once
// The register's answer document, VTJHenkiloVastaussanoma, in the two styles the samples show: the
// SoSo one (prefix ns2:, empty leaves as <a></a>, as the kansalaisaloite PERUSJHHS2 documents) and the
// X-Road one (default namespace, <a/>, as the evaka PERUSSANOMA3 answer).

#include <cstddef>

#include "clock.hpp"
#include "dataset.hpp"
#include "rules.hpp"
#include "xml_out.hpp"

namespace vtj::sim {

// `out` decides the style (prefix "ns2:" for SoSo) and encoding. padding > 0 (the Oversized fault)
// lengthens Asiakasinfo/InfoS by that many bytes of text, keeping the document well-formed.
void write_document(XmlOut& out, const Decision& d, const Stamp& stamp, size_t padding = 0);

// The Henkilo element of a product's shape.
void write_henkilo(XmlOut& out, const PersonRecord& p, Shape shape);
// A Henkilo holding only Henkilotunnus voimassaolokoodi="1" (0002's active code, 0007's person).
void write_henkilo_id(XmlOut& out, std::string_view hetu);

}  // namespace vtj::sim
